def read(): pass
def sniff(): pass
def read_results(): pass
