package mda

import (
	"context"
	"errors"
	"net/http"
)

// Helpers only tests need; production code tells errors apart through *APIError's own
// methods (ProvesGone, RouteNotServed) and IsNotFound.

// Wait takes a slot without reporting an answer (Acquire without Done).
func (l *limiter) Wait(ctx context.Context) error {
	_, err := l.Acquire(ctx)
	return err
}

// IsThrottled reports whether err is an APIError with status 429.
func IsThrottled(err error) bool { return hasStatus(err, http.StatusTooManyRequests) }

// IsForbidden reports whether err is an APIError with status 403.
func IsForbidden(err error) bool { return hasStatus(err, http.StatusForbidden) }

// IsUnauthorized reports whether err is an APIError with status 401.
func IsUnauthorized(err error) bool { return hasStatus(err, http.StatusUnauthorized) }

// IsMethodNotAllowed reports whether err is an APIError with status 405.
func IsMethodNotAllowed(err error) bool { return hasStatus(err, http.StatusMethodNotAllowed) }

func hasStatus(err error, status int) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.StatusCode == status
}
