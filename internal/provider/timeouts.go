package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// defaultOperationTimeout bounds one create, read, update or delete when the timeouts
// block leaves it unset. At 30 requests a minute for the whole tenant, a request can wait
// a minute or more for the limiter, and a retry after a 429 as long again.
const defaultOperationTimeout = 10 * time.Minute

// withTimeout bounds an operation by the user's timeouts block (pass the block's Create,
// Read, Update or Delete method): limiter waits and retries end with the context, so a
// busy tenant fails the operation instead of hanging the run.
func withTimeout(ctx context.Context, get func(context.Context, time.Duration) (time.Duration, diag.Diagnostics)) (context.Context, context.CancelFunc, diag.Diagnostics) {
	d, diags := get(ctx, defaultOperationTimeout)
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, cancel, diags
}
