package validator

import (
	"net/netip"
	"strconv"
	"strings"
)

// sameHTU reports whether a proof's htu claim addresses the request URL htu (RFC 9449
// §4.3: compared without query and fragment, after syntax- and scheme-based
// normalisation, RFC 3986 §6.2.2 and §6.2.3). The proof's htu must be an absolute http
// or https URL without user information, query or fragment; htu is the server's own
// view of the request, from which anything from a '?' or '#' on is dropped. A request
// path with dot segments ("/files/../admin", "/a/%2E%2E/b", "/./a") matches no proof:
// routers (Echo's) match such a path as it is, so the proof's URL with the segments
// removed would name another route than the one that answers.
func sameHTU(claim, htu string) bool {
	if i := strings.IndexAny(htu, "?#"); i >= 0 {
		htu = htu[:i]
	}
	a, ok := normalizeHTU(claim)
	if !ok {
		return false
	}
	b, ok := normalizeURL(htu, false)
	return ok && a == b
}

// normalizeHTU returns s, an absolute http or https URL without user information,
// query and fragment ('?' and '#' are refused wherever they are), in normal form: scheme and host in lower case (an IPv6 address in
// its RFC 5952 form), the scheme's default port dropped (and a port written without
// leading zeros), an empty path written "/", its path normalised by normalizePath, and
// dot segments removed. It reports false for anything else: a host that is neither a
// registered name of RFC 3986 unreserved characters nor a bracketed IPv6 address, a
// port that is not a number from 1 to 65535, or a path that normalizePath refuses.
func normalizeHTU(s string) (string, bool) { return normalizeURL(s, true) }

// normalizeURL is normalizeHTU; without dots, a path with dot segments is refused
// instead of having them removed.
func normalizeURL(s string, dots bool) (string, bool) {
	if strings.ContainsAny(s, "?#") { // a query or a fragment, even an empty one
		return "", false
	}
	sep := strings.Index(s, "://")
	if sep < 0 {
		return "", false
	}
	scheme := strings.ToLower(s[:sep])
	var defaultPort int
	switch scheme {
	case "https":
		defaultPort = 443
	case "http":
		defaultPort = 80
	default:
		return "", false
	}
	rest := s[sep+len("://"):]
	authority, path := rest, ""
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}

	// host [":" port], the host a registered name or a bracketed IPv6 address.
	var host, port string
	if strings.HasPrefix(authority, "[") {
		end := strings.IndexByte(authority, ']')
		if end < 0 {
			return "", false
		}
		addr, err := netip.ParseAddr(authority[1:end])
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return "", false
		}
		host, port = "["+addr.String()+"]", authority[end+1:]
	} else {
		host, port = authority, ""
		if i := strings.LastIndexByte(authority, ':'); i >= 0 {
			host, port = authority[:i], authority[i:]
		}
		if host == "" {
			return "", false
		}
		for i := 0; i < len(host); i++ {
			if !isUnreserved(host[i]) {
				return "", false
			}
		}
		host = strings.ToLower(host)
	}
	switch {
	case port == "" || port == ":": // no port, or an empty one (RFC 3986 §6.2.3)
	case port[0] != ':' || len(port) > 6:
		return "", false
	default:
		n := 0
		for _, c := range []byte(port[1:]) {
			if c < '0' || c > '9' {
				return "", false
			}
			n = n*10 + int(c-'0')
		}
		if n < 1 || n > 65535 {
			return "", false
		}
		if n != defaultPort {
			host += ":" + strconv.Itoa(n)
		}
	}

	path, ok := normalizePath(path)
	if !ok {
		return "", false
	}
	if removed := removeDotSegments(path); removed != path {
		if !dots {
			return "", false
		}
		path = removed
	}
	if path == "" {
		path = "/"
	}
	return scheme + "://" + host + path, true
}

// isPathChar reports whether c may appear as itself in an absolute path (RFC 3986
// §3.3: "/" and pchar, '%' aside).
func isPathChar(c byte) bool {
	return isUnreserved(c) || strings.IndexByte("/!$&'()*+,;=:@", c) >= 0
}

// normalizePath writes a path in the normal form of RFC 3986 §6.2.2.1 and §6.2.2.2:
// percent-encodings of unreserved characters decoded, the others' hex digits in upper
// case, and every other byte RFC 3986 does not allow in a path (non-ASCII, space, '|',
// '[' and the like, which some clients send as they are) percent-encoded, so that a
// path compares equal however it was escaped. It reports false for a '%' not followed
// by two hex digits, and for control characters.
func normalizePath(p string) (string, bool) {
	clean := true
	for i := 0; i < len(p); i++ {
		if !isPathChar(p[i]) {
			clean = false
			break
		}
	}
	if clean {
		return p, true
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(p) + 8)
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c < 0x20 || c == 0x7f:
			return "", false
		case c == '%':
			if i+2 >= len(p) || !isHex(p[i+1]) || !isHex(p[i+2]) {
				return "", false
			}
			d := unhex(p[i+1])<<4 | unhex(p[i+2])
			if isUnreserved(d) {
				b.WriteByte(d)
			} else {
				b.WriteByte('%')
				b.WriteByte(upperHex(p[i+1]))
				b.WriteByte(upperHex(p[i+2]))
			}
			i += 2
		case isPathChar(c):
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
		}
	}
	return b.String(), true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

func upperHex(c byte) byte {
	if 'a' <= c && c <= 'f' {
		return c - 'a' + 'A'
	}
	return c
}

// isUnreserved reports whether c is an unreserved character (RFC 3986 §2.3).
func isUnreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

// removeDotSegments is RFC 3986 §5.2.4 for an absolute path (or an empty one).
func removeDotSegments(in string) string {
	if !strings.Contains(in, ".") {
		return in
	}
	var out []string // output segments, each with its leading "/"
	for in != "" {
		switch {
		case strings.HasPrefix(in, "../"):
			in = in[3:]
		case strings.HasPrefix(in, "./"):
			in = in[2:]
		case strings.HasPrefix(in, "/./"):
			in = in[2:]
		case in == "/.":
			in = "/"
		case strings.HasPrefix(in, "/../"):
			in = in[3:]
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "/..":
			in = "/"
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		case in == "." || in == "..":
			in = ""
		default:
			// Move the first segment (with its leading "/", if any) to the output.
			start := 0
			if in[0] == '/' {
				start = 1
			}
			end := strings.IndexByte(in[start:], '/')
			if end < 0 {
				end = len(in)
			} else {
				end += start
			}
			out = append(out, in[:end])
			in = in[end:]
		}
	}
	return strings.Join(out, "")
}
