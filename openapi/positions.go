package openapi

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// positions finds where JSON Pointers into a document are in its text. kin-openapi's
// own parser keeps no position for most of what problems point at, so the text is
// parsed again, as a YAML node tree (JSON is YAML), only when there is a problem to
// locate.
type positions struct {
	root *yaml.Node // the document's top-level node; nil: the text does not parse
}

// newPositions parses data; positions of a text that does not parse are all unknown.
func newPositions(data []byte) *positions {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return &positions{}
	}
	return &positions{root: doc.Content[0]}
}

// locate returns the line and column (from 1) of what ptr ("#/paths/~1a/get") points
// at: the key of a mapping member, the start of a sequence element, the document's start
// for "#". When the text does not hold the whole pointer (a member kin-openapi fills in,
// a path through a $ref), it is the position of the deepest part it holds. 0, 0 when ptr
// is empty or not a pointer into this document.
func (ps *positions) locate(ptr string) (line, column int) {
	if ps.root == nil || !strings.HasPrefix(ptr, "#") {
		return 0, 0
	}
	n := ps.root
	line, column = n.Line, n.Column
	if ptr == "#" {
		return line, column
	}
	if !strings.HasPrefix(ptr, "#/") {
		return 0, 0
	}
	for _, token := range strings.Split(ptr[2:], "/") {
		token = strings.ReplaceAll(strings.ReplaceAll(token, "~1", "/"), "~0", "~")
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		switch n.Kind {
		case yaml.MappingNode:
			found := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				if key := n.Content[i]; key.Kind == yaml.ScalarNode && key.Value == token {
					line, column, n, found = key.Line, key.Column, n.Content[i+1], true
					break
				}
			}
			if !found {
				return line, column
			}
		case yaml.SequenceNode:
			i, err := strconv.Atoi(token)
			if err != nil || i < 0 || i >= len(n.Content) {
				return line, column
			}
			n = n.Content[i]
			line, column = n.Line, n.Column
		default:
			return line, column
		}
	}
	return line, column
}

// locateAll sets the Line and Column of every problem from its Pointer.
func (ps *positions) locateAll(problems ...[]*Problem) {
	for _, list := range problems {
		for _, p := range list {
			p.Line, p.Column = ps.locate(p.Pointer)
		}
	}
}
