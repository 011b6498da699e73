def total(lines):
    return sum(line.price * line.qty for line in lines)
