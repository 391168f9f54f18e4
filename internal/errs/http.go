package errs

import "net/http"

// HTTPStatus is the one mapping from error codes to HTTP statuses, shared by pages and API.
func HTTPStatus(code Code) int {
	switch code {
	case Malformed:
		return http.StatusBadRequest
	case Invalid:
		return http.StatusUnprocessableEntity
	case NotFound:
		return http.StatusNotFound
	case Conflict:
		return http.StatusConflict
	case Forbidden:
		return http.StatusForbidden
	case Unauthorized:
		return http.StatusUnauthorized
	case TooMany:
		return http.StatusTooManyRequests
	case Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
