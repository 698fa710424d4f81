"""stub"""
def read(path, forms): return iter(())
def sniff(path, head): return False
