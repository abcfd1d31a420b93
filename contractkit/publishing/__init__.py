"""What is published about an agreement: the transparency register, the board summary, the rubric."""
