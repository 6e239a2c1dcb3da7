package openapi

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestKeyClassOf(t *testing.T) {
	for key, want := range map[string]keyClass{
		"x-axioms-roles":                      keyKnown,
		"x-axioms-permissions":                keyKnown,
		"x-axioms-owner":                      keyKnown,
		"x-axioms-role":                       keyMisspelt,
		"X-Axioms-Roles":                      keyMisspelt,
		"x_axioms_roles":                      keyMisspelt,
		"x-axiomatic":                         keyMisspelt, // starts with x-axiom
		"x-axioms-" + strings.Repeat("a", 40): keyMisspelt,
		"x\u2010axioms\u2010roles":            keyLookalike,
		"\uff58-axioms-roles":                 keyLookalike,
		"\u00a0x-axioms-roles":                keyLookalike,
		" x-axioms-roles":                     keyLookalike,
		"\tx-axioms-roles":                    keyLookalike,
		"x-axioms-roles\u00ad":                keyLookalike, // soft hyphen
		"x-axioms-roles\ufe0f":                keyLookalike, // variation selector
		"x-\u212a":                            keyOther,     // Kelvin sign: x-k
		"x-axio\u212ams-roles":                keyLookalike, // Kelvin sign folds to k: one letter off
		"x\u2010roles":                        keyUnenforced,
		"x-roles":                             keyUnenforced,
		"X_SCOPE":                             keyUnenforced,
		"x-owner ":                            keyUnenforced,
		"x-foo":                               keyOther,
		"x-amazon-apigateway-integration":     keyOther,
		"x-größe":                             keyOther,
		"x-rôles":                             keyOther,
		"description":                         keyOther,
		"a\u2010b":                            keyOther,
		"":                                    keyOther,
		"x":                                   keyOther,
		"y-axioms-roles":                      keyOther, // an ASCII key not starting with x is never folded
	} {
		assert.Equal(t, want, keyClassOf(key), "%+q", key)
	}
}

// The keys of a document are classified without allocating, unless they hold a character
// outside printable ASCII.
func TestKeyClassOfDoesNotAllocate(t *testing.T) {
	for _, key := range []string{"description", "x-amazon-apigateway-integration", "x-axioms-role", "x-axioms-roles", "X-Axioms-Roles", "x-roles", "x-" + strings.Repeat("a", 100)} {
		assert.Zero(t, testing.AllocsPerRun(100, func() { keyClassOf(key) }), key)
	}
}

func BenchmarkKeyClassOf(b *testing.B) {
	for _, key := range []string{"operationId", "x-amazon-apigateway-integration", "x-axioms-roles", "x\u2013axioms\u2013roles"} {
		b.Run(key, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				keyClassOf(key)
			}
		})
	}
}
