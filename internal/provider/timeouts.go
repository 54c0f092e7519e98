package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
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

// timeoutsBlock is the framework's timeouts block with a description of its own, which
// the library leaves empty and the docs would show blank.
func timeoutsBlock(ctx context.Context, opts timeouts.Opts) schema.Block {
	b := timeouts.Block(ctx, opts)
	if nested, ok := b.(schema.SingleNestedBlock); ok {
		nested.MarkdownDescription = "How long each operation may take, waits for the rate limit and retries " +
			"included, as a duration such as `\"30s\"` or `\"15m\"`. Each defaults to `\"10m\"`."
		return nested
	}
	return b
}

// dataSourceTimeout bounds one data source read, which has no timeouts block: a list of
// up to 5 000 items is 50 requests, under two minutes at MDA's 30 a minute, so twenty
// minutes leaves room for a busy tenant and still ends a run that would otherwise wait
// forever on a limiter someone else keeps full.
const dataSourceTimeout = 20 * time.Minute

// withDataSourceTimeout bounds a data source read by dataSourceTimeout.
func withDataSourceTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, dataSourceTimeout)
}
