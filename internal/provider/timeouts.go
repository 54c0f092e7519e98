package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// withTimeout bounds an operation by the user's timeouts block: limiter waits and retries
// end with the context, so a busy tenant fails the operation instead of hanging the run.
func withTimeout(ctx context.Context, get func(context.Context, time.Duration) (time.Duration, diag.Diagnostics), def time.Duration) (context.Context, context.CancelFunc, diag.Diagnostics) {
	d, diags := get(ctx, def)
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, cancel, diags
}
