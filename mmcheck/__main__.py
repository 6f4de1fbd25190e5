"""python -m mmcheck"""

from mmcheck.cli import main

main()
