"""What every package may import: settings, databases, the error tree, identity, the audit log.

Nothing in ``core`` imports another project package.
"""
