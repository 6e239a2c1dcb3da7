package openapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v4"
)

// LoadOptions tunes loading. The zero value is the safe default.
type LoadOptions struct {
	// BasePath overrides the base path derived from the document's servers. Empty: the
	// path of the first server URL (absolute or relative; server variables replaced by
	// their defaults); "/" means no base path.
	BasePath string

	// AllowExternalRefs permits $ref to other local files, resolved relative to the
	// document (Load and LoadFS only). Default false: any external $ref is a load error.
	// Network URLs are never fetched, even when true.
	AllowExternalRefs bool
}

// Load reads the OpenAPI 3.0/3.1 document at path (YAML or JSON) and compiles its
// policy table. It fails with every problem located (see [Problems]).
func Load(path string, opts LoadOptions) (*Policies, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(abs)
	read := func(u *url.URL) ([]byte, error) {
		p := u.Path
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		return os.ReadFile(p)
	}
	return load(data, &url.URL{Path: filepath.ToSlash(abs)}, opts, read)
}

// LoadData compiles the policy table of a document given as bytes (YAML or JSON). A
// document given as bytes has no location, so external $refs are always an error.
func LoadData(data []byte, opts LoadOptions) (*Policies, error) {
	opts.AllowExternalRefs = false
	return load(data, nil, opts, nil)
}

// LoadFS reads the document at name in fsys (e.g. an embed.FS) and compiles its policy
// table. External $refs, when allowed, are read from fsys too.
func LoadFS(fsys fs.FS, name string, opts LoadOptions) (*Policies, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	read := func(u *url.URL) ([]byte, error) {
		return fs.ReadFile(fsys, strings.TrimPrefix(path.Clean(u.Path), "/"))
	}
	return load(data, &url.URL{Path: name}, opts, read)
}

func load(data []byte, location *url.URL, opts LoadOptions, read func(*url.URL) ([]byte, error)) (*Policies, error) {
	var stubbed []stub
	if hasUnfollowedRefs(data, opts) {
		var err error
		if data, stubbed, err = stubRefs(data, opts); err != nil {
			return nil, &Problem{Message: "the document cannot be parsed: " + err.Error()}
		}
	}
	loader := openapi3.NewLoader()
	loader.Context = context.Background()
	// The loader never touches the network and reads local files only when allowed.
	loader.ReadFromURIFunc = func(_ *openapi3.Loader, u *url.URL) ([]byte, error) {
		if !opts.AllowExternalRefs || read == nil {
			return nil, fmt.Errorf("external reference %q is not allowed (LoadOptions.AllowExternalRefs)", u.String())
		}
		if u.Scheme != "" && u.Scheme != "file" || u.Host != "" {
			return nil, fmt.Errorf("external reference %q is not a local file: network references are never fetched", u.String())
		}
		return read(u)
	}
	var doc *openapi3.T
	var err error
	if location != nil {
		doc, err = loader.LoadFromDataWithPath(data, location)
	} else {
		doc, err = loader.LoadFromData(data)
	}
	if err != nil {
		return nil, &Problem{Message: "the document cannot be loaded: " + err.Error()}
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		return nil, &Problem{Pointer: pointer("openapi"), Message: fmt.Sprintf("unsupported OpenAPI version %q (3.0, 3.1 and 3.2 are supported)", doc.OpenAPI)}
	}
	return compile(doc, opts, stubbed)
}

// A stub is a $ref that was not followed and was replaced by an empty object.
type stub struct {
	pointer, ref, reason string
}

// unfollowed reports why a reference is not followed, or "" if it is.
func unfollowed(ref string, opts LoadOptions) string {
	switch {
	case strings.HasPrefix(ref, "#/") || ref == "#":
		return ""
	case strings.HasPrefix(ref, "#"):
		return "JSON Schema anchors are not resolved"
	}
	u, err := url.Parse(ref)
	switch {
	case err != nil:
		return "the reference is not a valid URI"
	case u.Scheme != "" && u.Scheme != "file" || u.Host != "":
		return "network references are never fetched"
	case strings.HasPrefix(u.Path, "/") && u.Scheme == "":
		return "absolute-path references (JSON Schema $id) are not resolved"
	case !opts.AllowExternalRefs:
		return "external references are not followed (LoadOptions.AllowExternalRefs)"
	case u.Fragment != "" && !strings.HasPrefix(u.Fragment, "/"):
		return "JSON Schema anchors are not resolved"
	}
	return ""
}

// hasUnfollowedRefs scans YAML or JSON text for $ref values that will not be followed,
// to decide cheaply whether the document needs rewriting at all. It may report a $ref
// that only appears inside a string; the rewrite is then merely unnecessary.
func hasUnfollowedRefs(data []byte, opts LoadOptions) bool {
	for rest := data; ; {
		i := bytes.Index(rest, []byte("$ref"))
		if i < 0 {
			return false
		}
		rest = rest[i+4:]
		v := bytes.TrimLeft(rest, "\"' \t")
		if len(v) == 0 || v[0] != ':' {
			continue
		}
		v = bytes.TrimLeft(v[1:], " \t\"'")
		end := bytes.IndexAny(v, "\"' \t\r\n,}")
		if end < 0 {
			end = len(v)
		}
		if unfollowed(string(v[:end]), opts) != "" {
			return true
		}
	}
}

// stubRefs replaces every $ref that will not be followed with an empty object, so that
// documents whose schemas use JSON Schema $id or anchor references, or that link
// external documentation by URL, still load. An empty object can never satisfy a
// security rule (an empty security scheme has no type, an empty parameter no name), so a
// reference that matters for access control fails closed.
func stubRefs(data []byte, opts LoadOptions) ([]byte, []stub, error) {
	var tree any
	if err := yaml.Unmarshal(data, &tree); err != nil {
		return nil, nil, err
	}
	var stubs []stub
	var walk func(node any, ptr []string) any
	walk = func(node any, ptr []string) any {
		switch t := node.(type) {
		case map[string]any:
			if ref, ok := t["$ref"].(string); ok {
				if reason := unfollowed(ref, opts); reason != "" {
					stubs = append(stubs, stub{pointer: pointer(ptr...), ref: ref, reason: reason})
					return map[string]any{}
				}
			}
			for k, v := range t {
				t[k] = walk(v, append(ptr, k))
			}
			return t
		case map[any]any: // YAML keys that are not strings (e.g. 200:)
			m := make(map[string]any, len(t))
			for k, v := range t {
				m[fmt.Sprint(k)] = v
			}
			return walk(m, ptr)
		case []any:
			for i, v := range t {
				t[i] = walk(v, append(ptr, fmt.Sprint(i)))
			}
			return t
		}
		return node
	}
	tree = walk(tree, nil)
	out, err := json.Marshal(tree)
	if err != nil {
		return nil, nil, err
	}
	sort.Slice(stubs, func(i, j int) bool { return stubs[i].pointer < stubs[j].pointer })
	return out, stubs, nil
}

// validationWarning runs kin-openapi's own validation; its findings are reported as lint
// warnings: real documents often have schema slips that do not affect security.
func validationWarning(doc *openapi3.T) *Problem {
	err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation(),
		openapi3.DisableSchemaDefaultsValidation(), openapi3.EnableMultiError())
	if err == nil {
		return nil
	}
	var msgs []string
	var j interface{ Unwrap() []error }
	if errors.As(err, &j) {
		for _, e := range j.Unwrap() {
			msgs = append(msgs, e.Error())
		}
	} else {
		msgs = []string{err.Error()}
	}
	return &Problem{Warning: true, Message: "the document does not validate: " + strings.Join(msgs, "; ")}
}
