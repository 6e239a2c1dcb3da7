package httpaxioms

import (
	"context"
	"net/http"

	"github.com/axioms-go/axioms-echo/enforce"
)

// OwnerValuer is implemented by objects that an owner loader returns (or that
// [RequireOwner] checks) and that report their owner fields themselves, without
// reflection: see enforce.OwnerValuer for how values compare with the claim (exactly:
// strings with strings, integers by their decimal text) and how other objects are read
// (maps by key, structs by json tag name, else Go field name).
type OwnerValuer = enforce.OwnerValuer

// coreLoader converts an owner loader to the core's form, once; nil stays nil. The
// loader is handed the request with the context the core hands it (the caller in it).
func coreLoader(loader OwnerLoader) enforce.OwnerLoader {
	if loader == nil {
		return nil
	}
	return func(ctx context.Context, req any) (any, error) {
		return loader(withContext(req.(*http.Request), ctx))
	}
}
