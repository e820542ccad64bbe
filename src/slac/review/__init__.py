"""The review stage: what a contract change means, before anyone signs it.

Worked examples run through the real evaluation (``slac test``), a semantic diff of two
contract versions with the change in maximum exposure (``slac diff``), and what-if credit
curves and scenarios (``slac simulate``). Every figure comes from the plan and the judge's
own credit arithmetic; nothing here computes money itself.
"""
