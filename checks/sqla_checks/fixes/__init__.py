"""Fix machinery: applying rule fixes to a module, and writing fixed files safely."""
