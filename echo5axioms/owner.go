package echo5axioms

import (
	"context"

	"github.com/axioms-go/axioms-echo/enforce"
)

// OwnerValuer is implemented by objects that an owner loader returns (or that
// [RequireOwner] checks) and that report their owner fields themselves, without
// reflection: see enforce.OwnerValuer for how values compare with the claim (exactly:
// strings with strings, integers by their decimal text) and how other objects are read
// (maps by key, structs by json tag name, else Go field name).
type OwnerValuer = enforce.OwnerValuer

// coreLoader converts an owner loader to the core's form, once; nil stays nil (the core
// reports it). The context the core hands it (the caller's claims in it) becomes the
// request's first, so that the loader reads the caller through c.
func coreLoader(loader OwnerLoader) enforce.OwnerLoader {
	if loader == nil {
		return nil
	}
	return func(ctx context.Context, req any) (any, error) {
		c := contextOf(req)
		withContext(c, ctx)
		return loader(c)
	}
}
