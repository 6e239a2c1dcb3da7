package openapi

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/axioms-go/axioms-echo/internal/editdist"
)

// LoadOptions tunes loading. The zero value is the safe default: the base path comes
// from the document's servers and no $ref leaves the document.
type LoadOptions struct {
	// BasePath overrides the base path derived from the document's servers, for every
	// operation (operation- and path-level servers included). Empty: the path of the
	// first server URL (absolute or relative; server variables replaced by their
	// defaults); "/" means no base path.
	BasePath string

	// AllowExternalRefs permits $ref to other local files, resolved relative to the
	// document: with Load, files in the document's directory or below it; with LoadFS,
	// files in the same fs.FS. LoadData has no location, so it never follows them.
	// Default false: references to other files are not followed.
	//
	// Network URLs are never fetched, even when true, and neither are JSON Schema $id
	// and anchor references. A reference that is not followed is a load error where it
	// defines a path item, an operation or a security scheme an operation relies on;
	// anywhere else (schemas, examples, responses, unused schemes) it cannot affect
	// access control: it is read as an empty object and reported as a warning.
	AllowExternalRefs bool
}

// Load reads the OpenAPI 3.0, 3.1 or 3.2 document at path (YAML or JSON) and compiles its
// policy table. When the document is wrong it returns an error listing every problem,
// each located by JSON Pointer and, in the text, by line and column (see [Problems]
// and [Problem]); an error reading the file is returned as is.
func Load(path string, opts LoadOptions) (*Policies, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	var read func(string) ([]byte, error)
	if opts.AllowExternalRefs {
		root, err := os.OpenRoot(filepath.Dir(abs))
		if err != nil {
			return nil, err
		}
		defer root.Close()
		read = func(p string) ([]byte, error) {
			rel, err := filepath.Rel(root.Name(), filepath.FromSlash(p))
			if err != nil {
				return nil, err
			}
			return root.ReadFile(rel)
		}
	}
	return load(data, filepath.Base(abs), &url.URL{Path: filepath.ToSlash(abs)}, opts, read)
}

// LoadData compiles the policy table of a document given as bytes (YAML or JSON). A
// document given as bytes has no location: references to other files are never
// followed, whatever opts says.
func LoadData(data []byte, opts LoadOptions) (*Policies, error) {
	return load(data, "", nil, opts, nil)
}

// LoadFS reads the document at name in fsys (an embed.FS, for example) and compiles its
// policy table. References to other files, when allowed, are read from fsys too.
func LoadFS(fsys fs.FS, name string, opts LoadOptions) (*Policies, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	var read func(string) ([]byte, error)
	if opts.AllowExternalRefs {
		read = func(p string) ([]byte, error) { return fs.ReadFile(fsys, p) }
	}
	return load(data, path.Base(name), &url.URL{Path: name}, opts, read)
}

// load parses data with kin-openapi and compiles it. name is the document's file name
// for messages ("" for bytes), location its URL for kin-openapi, read reads another
// local file by the slash-separated path kin-openapi resolved (nil: none is read).
func load(data []byte, name string, location *url.URL, opts LoadOptions, read func(string) ([]byte, error)) (*Policies, error) {
	fileReason := "references to other files are not followed (LoadOptions.AllowExternalRefs)"
	switch {
	case location == nil:
		fileReason = "a document given as bytes has no location to resolve references to other files against"
	case read != nil:
		fileReason = ""
	}
	text := data
	data, sites := neutralizeRefs(data, fileReason)
	unfollowed := []unfollowedRef{}
	for _, s := range sites {
		unfollowed = append(unfollowed, unfollowedRef{file: name, refSite: s})
	}

	loader := openapi3.NewLoader()
	loader.Context = context.Background()
	// kin-openapi calls this for every reference to another document. With a custom
	// function it does not check IsExternalRefsAllowed itself: this function is the
	// whole access policy, and it never reads anything but a local file.
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		if read == nil || u.Scheme != "" || u.Host != "" {
			return nil, fmt.Errorf("reference to %q: only local files are read, and only with LoadOptions.AllowExternalRefs", u.String())
		}
		data, err := read(u.Path)
		if err != nil {
			return nil, err
		}
		data, sites := neutralizeRefs(data, "")
		for _, s := range sites {
			unfollowed = append(unfollowed, unfollowedRef{file: path.Base(u.Path), refSite: s})
		}
		return data, nil
	}
	var doc *openapi3.T
	var err error
	if location != nil {
		doc, err = loader.LoadFromDataWithPath(data, location)
	} else {
		doc, err = loader.LoadFromData(data)
	}
	if err != nil {
		return nil, &Problem{Message: "the document cannot be loaded: " + trimParserPrefix(err.Error())}
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		p := &Problem{Pointer: pointer("openapi"), Message: fmt.Sprintf("unsupported OpenAPI version %q: 3.0, 3.1 and 3.2 documents are supported", doc.OpenAPI)}
		newPositions(text).locateAll([]*Problem{p})
		return nil, p
	}
	ps, err := compile(doc, opts, fileReason, unfollowed)
	switch {
	case err != nil:
		var declared []string
		if doc.Components != nil {
			declared = slices.Sorted(maps.Keys(doc.Components.SecuritySchemes))
		}
		suggestSchemes(Problems(err), declared)
		newPositions(text).locateAll(Problems(err), Warnings(err))
	case len(ps.warnings) > 0:
		newPositions(text).locateAll(ps.warnings)
	}
	return ps, err
}

// parserPrefixes are what kin-openapi and the YAML parser put before a syntax error's
// own words ("failed to unmarshal data: yaml error: yaml: line 3: ..."), which say
// nothing to the reader.
var parserPrefixes = []string{"failed to unmarshal data: ", "yaml error: ", "yaml: "}

// trimParserPrefix removes parserPrefixes from the start of msg, in that order.
func trimParserPrefix(msg string) string {
	for _, prefix := range parserPrefixes {
		msg = strings.TrimPrefix(msg, prefix)
	}
	return msg
}

// suggestSchemes adds "(did you mean "oauth2"?)" to the errors of security requirements
// naming a scheme that is not declared (their pointer ends in /security/N/NAME), when
// one of the declared scheme names is close to the name: the same but for case, or
// within a few edits (at most a third of its length, at least 2, fewer than its length).
func suggestSchemes(problems []*Problem, declared []string) {
	for _, p := range problems {
		tokens := strings.Split(p.Pointer, "/")
		n := len(tokens)
		if n < 3 || tokens[n-3] != "security" {
			continue
		}
		if _, err := strconv.Atoi(tokens[n-2]); err != nil {
			continue
		}
		name := strings.ReplaceAll(strings.ReplaceAll(tokens[n-1], "~1", "/"), "~0", "~")
		if slices.Contains(declared, name) {
			continue
		}
		best, bestDist := "", max(2, len(name)/3)+1
		for _, d := range declared {
			dist := editdist.Distance(strings.ToLower(name), strings.ToLower(d))
			if dist < bestDist && dist < len(name) {
				best, bestDist = d, dist
			}
		}
		if best != "" {
			p.Message += fmt.Sprintf(" (did you mean %q?)", best)
		}
	}
}
