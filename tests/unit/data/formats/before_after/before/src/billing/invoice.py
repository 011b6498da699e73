def total(lines):
    s = 0
    for line in lines:
        s += line.price * line.qty
    return s
