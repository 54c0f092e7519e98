package mda

import "context"

// Level is the severity of a log entry.
type Level int

const (
	LevelDebug Level = iota
	LevelInfo
	LevelWarn
	LevelError
)

func (l Level) String() string {
	switch l {
	case LevelDebug:
		return "DEBUG"
	case LevelInfo:
		return "INFO"
	case LevelWarn:
		return "WARN"
	case LevelError:
		return "ERROR"
	}
	return "UNKNOWN"
}

// Logger receives the client's log entries. The provider adapts it to tflog, the way
// terraform-provider-http's levelledLogger adapts retryablehttp, so the client itself
// never imports Terraform. Fields never hold tokens, secrets or request bodies.
type Logger interface {
	Log(ctx context.Context, level Level, msg string, fields map[string]any)
}

type discardLogger struct{}

func (discardLogger) Log(context.Context, Level, string, map[string]any) {}
