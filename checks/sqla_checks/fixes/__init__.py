"""Fix machinery: applying rule fixes to a module, writing fixed files safely, how a fix
may spell a SQLAlchemy name, and the `select()` rewrite of legacy `Query` chains."""
