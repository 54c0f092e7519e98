package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/mda-terraform/terraform-provider-mda/internal/mda"
)

// tflogLogger adapts the client's Logger to tflog, in the shape of the http provider's
// levelledLogger. The request context carries Terraform's logger, so lines land in
// TF_LOG output with the RPC's fields. Secrets are masked on every line: masking set up
// in Configure does not carry over to the contexts of later RPCs.
type tflogLogger struct {
	secrets []string
}

var _ mda.Logger = tflogLogger{}

func newTFLogLogger(secrets []string) tflogLogger {
	var kept []string
	for _, s := range secrets {
		if strings.TrimSpace(s) != "" {
			kept = append(kept, s)
		}
	}
	return tflogLogger{secrets: kept}
}

func (l tflogLogger) Log(ctx context.Context, level mda.Level, msg string, fields map[string]any) {
	if len(l.secrets) > 0 {
		ctx = tflog.MaskMessageStrings(ctx, l.secrets...)
		ctx = tflog.MaskAllFieldValuesStrings(ctx, l.secrets...)
	}
	switch level {
	case mda.LevelDebug:
		tflog.Debug(ctx, msg, fields)
	case mda.LevelInfo:
		tflog.Info(ctx, msg, fields)
	case mda.LevelWarn:
		tflog.Warn(ctx, msg, fields)
	default:
		tflog.Error(ctx, msg, fields)
	}
}
