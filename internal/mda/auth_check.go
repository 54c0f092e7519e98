package mda

import (
	"context"
	"errors"
	"fmt"
)

// CheckCredentials signs in to Microsoft Entra ID now rather than at the first request,
// so that a wrong secret, certificate or federated token fails `terraform plan` of a
// configuration that only creates resources (whose plan sends no MDA request) instead of
// the apply, halfway through. The token it fetches is cached and serves the requests
// that follow, so the check costs no extra sign-in; the token endpoint is not part of
// MDA's per-tenant budget either.
//
// A legacy API token can only be checked by calling MDA, which would spend the tenant's
// 30 requests per minute: it is not checked, and CheckCredentials returns nil without
// any request.
//
// A sign-in refused for good is returned at once as a *TokenError; an unreachable or
// failing token endpoint is asked again, as a request would, up to the client's
// MaxRetries.
func (c *Client) CheckCredentials(ctx context.Context) error {
	if c.auth.legacy() {
		return nil
	}
	noAnswers := 0
	for retries := 0; ; retries++ {
		_, err := c.auth.authorization(ctx)
		if err == nil {
			return nil
		}
		var te *TokenError
		if ctx.Err() != nil || !errors.As(err, &te) || !te.temporary() || retries >= c.maxRetries {
			return err
		}
		// A login host that does not answer at all is not going to start within the next
		// few attempts, each as long as a token fetch may take; more only delay the plan.
		if errors.Is(err, context.DeadlineExceeded) {
			if noAnswers++; noAnswers > maxNoAnswerRetries {
				return err
			}
		}
		wait := c.jitter(backoff(retries + 1))
		c.logger.Log(ctx, LevelInfo, "retrying the Entra ID sign-in", map[string]any{
			"attempt": retries + 2,
			"wait":    wait.String(),
			"reason":  err.Error(),
		})
		// The clock may fire in the same instant as the context ends; a fetch started
		// then would outlive its caller.
		serr := c.sleep(ctx, wait)
		if serr == nil {
			serr = ctx.Err()
		}
		if serr != nil {
			return fmt.Errorf("%w (then gave up waiting %s to sign in again: %w)", err, wait, serr)
		}
	}
}
