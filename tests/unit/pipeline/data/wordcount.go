package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"unicode"
)

type counter interface {
	Add(word string)
	Top(n int) []entry
}

type entry struct {
	Word  string
	Count int
}

type mapCounter struct {
	counts map[string]int
	total  int
}

func newMapCounter() *mapCounter {
	return &mapCounter{counts: make(map[string]int)}
}

func (c *mapCounter) Add(word string) {
	c.counts[word]++
	c.total++
}

func (c *mapCounter) Top(n int) []entry {
	entries := make([]entry, 0, len(c.counts))
	for word, count := range c.counts {
		entries = append(entries, entry{Word: word, Count: count})
	}
	sort.Slice(entries, func(i, j int) bool {
		if entries[i].Count != entries[j].Count {
			return entries[i].Count > entries[j].Count
		}
		return entries[i].Word < entries[j].Word
	})
	if len(entries) > n {
		entries = entries[:n]
	}
	return entries
}

func splitWords(line string, minLength int) []string {
	fields := strings.FieldsFunc(line, func(r rune) bool {
		return !unicode.IsLetter(r) && r != '\''
	})
	words := fields[:0]
	for _, field := range fields {
		if len(field) >= minLength {
			words = append(words, strings.ToLower(field))
		}
	}
	return words
}

func countReader(r io.Reader, c counter, minLength int) (lines int, err error) {
	scanner := bufio.NewScanner(r)
	for scanner.Scan() {
		lines++
		for _, word := range splitWords(scanner.Text(), minLength) {
			c.Add(word)
		}
	}
	return lines, scanner.Err()
}

func printTop(w io.Writer, entries []entry) {
	width := 0
	for _, e := range entries {
		if len(e.Word) > width {
			width = len(e.Word)
		}
	}
	for _, e := range entries {
		fmt.Fprintf(w, "%-*s %d\n", width, e.Word, e.Count)
	}
}

func main() {
	top := flag.Int("top", 10, "how many words to print")
	minLength := flag.Int("min", 3, "shortest word counted")
	flag.Parse()

	c := newMapCounter()
	lines, err := countReader(os.Stdin, c, *minLength)
	if err != nil {
		fmt.Fprintln(os.Stderr, "read error:", err)
		os.Exit(1)
	}
	fmt.Printf("%d lines, %d words\n", lines, c.total)
	printTop(os.Stdout, c.Top(*top))
}
