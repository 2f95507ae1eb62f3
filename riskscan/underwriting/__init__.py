"""The underwriting stage: what an insurer does with the control results.

`sources -> inventory -> controls -> underwriting -> report`. Each part reads the finished controls
stage (the `Assessment`'s control results, findings and inventory) and adds its own section: insurer
questionnaires answered from evidence and checked against attestations, the coverage gaps the findings
open, the indicative premium effect of each fix, and the modelled loss exposure. Insurer logic is data
(YAML beside each module, replaceable by a broker's own files); the modules are small functions over it.
"""
