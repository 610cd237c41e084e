"""The resources domain: index entries, material, shares and progress, no I/O."""
