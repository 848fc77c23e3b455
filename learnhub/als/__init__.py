"""Action Learning Sets: programmes, groups, rotations, confidential session records."""
