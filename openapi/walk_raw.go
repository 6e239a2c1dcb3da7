package openapi

// The raw walk.
//
// kin-openapi keeps what it does not model as plain data among an object's extensions:
// OpenAPI 3.1's components.pathItems, a 3.2 field it does not know yet, a JSON Schema
// keyword such as $anchor. The walk of the typed objects (walk.go) hands these values
// here, decoded YAML or JSON: maps, lists and scalars. The rules are the typed walk's:
// every x-axioms-like key is reported, and what is data is not looked into (see the top
// of walk.go).

// componentPathItems walks OpenAPI 3.1's components.pathItems. An entry that a path of
// paths references was compiled: its own keys and those of its operations are in
// place.
func (w *walker) componentPathItems(v any) {
	items, ok := v.(map[string]any)
	if !ok {
		w.raw(v)
		return
	}
	for name, item := range items {
		w.push(name)
		if m, ok := item.(map[string]any); ok && w.c.itemRefs[w.pointer()] {
			for k, val := range m {
				w.push(k)
				switch {
				case axiomsLike(k):
					// Checked where the compiler read it.
				case methodOfField(k) != "":
					w.compiledOperation(val)
				case k == "additionalOperations":
					if ops, ok := val.(map[string]any); ok {
						for method, op := range ops {
							w.push(method)
							w.compiledOperation(op)
							w.pop()
						}
					}
				default:
					w.rawMember(k, val)
				}
				w.pop()
			}
		} else {
			w.raw(item)
		}
		w.pop()
	}
}

// compiledOperation walks an operation of a compiled components.pathItems entry: its
// own x-axioms-like keys were checked where the compiler read them.
func (w *walker) compiledOperation(v any) {
	op, ok := v.(map[string]any)
	if !ok {
		return
	}
	for k, val := range op {
		if !axiomsLike(k) {
			w.push(k)
			w.rawMember(k, val)
			w.pop()
		}
	}
}

// raw walks a value kin-openapi keeps as plain data.
func (w *walker) raw(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			w.push(k)
			if axiomsLike(k) {
				w.misplaced(k)
			} else {
				w.rawMember(k, val)
			}
			w.pop()
		}
	case []any:
		for i, val := range t {
			w.pushIndex(i)
			w.raw(val)
			w.pop()
		}
	}
}

// rawMember walks the value of member k of a plain-data object.
func (w *walker) rawMember(k string, v any) {
	switch k {
	case "example", "examples", "default", "const", "enum":
		// Instances, not OpenAPI objects. (An OpenAPI examples map holds Example
		// objects, whose value is an instance too; their other members are not ours
		// either.)
	case "properties", "patternProperties", "$defs", "definitions", "dependentSchemas":
		// Names of properties and definitions, mapped to schemas.
		if m, ok := v.(map[string]any); ok {
			for name, schema := range m {
				w.push(name)
				w.raw(schema)
				w.pop()
			}
		}
	default:
		if isVendorKey(k) {
			return // a vendor extension's data
		}
		w.raw(v)
	}
}
