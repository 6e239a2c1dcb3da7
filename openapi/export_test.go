package openapi

// The extension decoders, for the fuzz targets of the external tests (fuzz_test.go),
// which check them against decoders written independently there.
var (
	DecodeCondition = decodeCondition
	DecodeOwner     = decodeOwner
	DecodeDPoP      = decodeDPoP
)

// BenchDoc generates the benchmarks' document, shared with the external benchmarks.
var BenchDoc = benchDoc
