"""Forum definitions: how each forum site is read, loaded from the files in forums/."""
