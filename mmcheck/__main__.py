"""python -m mmcheck"""

from mmcheck.quick import main

main()
