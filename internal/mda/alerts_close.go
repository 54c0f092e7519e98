package mda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// CloseKind is how an alert is closed.
type CloseKind int

const (
	CloseBenign CloseKind = iota + 1
	CloseFalsePositive
	CloseTruePositive
)

func (k CloseKind) String() string {
	switch k {
	case CloseBenign:
		return "benign"
	case CloseFalsePositive:
		return "false positive"
	case CloseTruePositive:
		return "true positive"
	}
	return fmt.Sprintf("CloseKind(%d)", int(k))
}

// Reasons lists the reasonIds MDA accepts for this kind of close (mda-api.md §3.3).
// The endpoints share numbers, not meanings: benign 2 actual severity is lower, 4
// other, 5 confirmed with end user, 6 triggered by test; false positive 0 not of
// interest, 1 too many similar alerts, 3 alert is not accurate, 4 other. A true-positive
// close takes no reason.
func (k CloseKind) Reasons() []int {
	switch k {
	case CloseBenign:
		return []int{2, 4, 5, 6}
	case CloseFalsePositive:
		return []int{0, 1, 3, 4}
	}
	return nil
}

// endpoint is the close endpoint's last path segment, which is also its answer's count key
// with "close" turned into "closed".
func (k CloseKind) endpoint() string {
	switch k {
	case CloseBenign:
		return "close_benign"
	case CloseFalsePositive:
		return "close_false_positive"
	case CloseTruePositive:
		return "close_true_positive"
	}
	return ""
}

// CloseOptions are the optional fields of a close.
type CloseOptions struct {
	Comment string
	// ReasonID must be one of the kind's Reasons, or nil; nil for a true positive.
	ReasonID *int
	// SendFeedback sends FeedbackText to Microsoft; AllowContact lets it write to
	// ContactEmail about it.
	SendFeedback bool
	FeedbackText string
	AllowContact bool
	ContactEmail string
}

// validate refuses what MDA would refuse, before a request is spent on it.
func (o CloseOptions) validate(kind CloseKind) error {
	if kind.endpoint() == "" {
		return fmt.Errorf("closing alerts: unknown close kind %d", int(kind))
	}
	if o.ReasonID == nil {
		return nil
	}
	if kind == CloseTruePositive {
		return errors.New("closing alerts as true positive: MDA accepts no reason for a true positive; leave the reason unset")
	}
	if !slices.Contains(kind.Reasons(), *o.ReasonID) {
		return fmt.Errorf("closing alerts as %s: reason %d is not one MDA accepts (%v)", kind, *o.ReasonID, kind.Reasons())
	}
	return nil
}

// CloseResult is what a close did.
type CloseResult struct {
	// Closed is the number of alerts MDA reports closed.
	Closed int
	// NotFound are the ids MDA reported in alertsNotFound.
	NotFound []string
}

// closeChunk is MDA's cap on ids per close: like every bulk call of the API, it takes
// at most 100 (MCASPS sends reopen in chunks of 100).
const closeChunk = 100

type closeBody struct {
	Filters      Filters `json:"filters"`
	Comment      string  `json:"comment,omitempty"`
	ReasonID     *int    `json:"reasonId,omitempty"`
	SendFeedback bool    `json:"sendFeedback"`
	FeedbackText string  `json:"feedbackText,omitempty"`
	AllowContact bool    `json:"allowContact"`
	ContactEmail string  `json:"contactEmail,omitempty"`
}

// CloseAlerts closes alerts ids (100 per request). An id MDA does not know is not an
// error: it comes back in NotFound. A close is idempotent, so transient failures are
// retried; one that still fails after it may have reached MDA is returned as
// *AmbiguousError. The chunks before it stay closed and are counted in the result.
func (c *Client) CloseAlerts(ctx context.Context, kind CloseKind, ids []string, opts CloseOptions) (CloseResult, error) {
	if err := opts.validate(kind); err != nil {
		return CloseResult{}, err
	}
	var unique []string
	for _, id := range ids {
		id, err := NormalizeAlertID(id)
		if err != nil {
			return CloseResult{}, fmt.Errorf("closing alerts as %s: %w", kind, err)
		}
		if !slices.Contains(unique, id) {
			unique = append(unique, id)
		}
	}
	var res CloseResult
	for chunk := range slices.Chunk(unique, closeChunk) {
		r, err := c.closeChunk(ctx, kind, chunk, opts)
		res.Closed += r.Closed
		res.NotFound = append(res.NotFound, r.NotFound...)
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

func (c *Client) closeChunk(ctx context.Context, kind CloseKind, ids []string, opts CloseOptions) (CloseResult, error) {
	op := newOperation("close alerts as "+kind.String(), http.MethodPost, "/v1/alerts/"+kind.endpoint()+"/", permAlertManage, classIdempotentWrite)
	body := closeBody{
		Filters:      Filters{}.With("id", OpEq, ids),
		Comment:      opts.Comment,
		ReasonID:     opts.ReasonID,
		SendFeedback: opts.SendFeedback,
		FeedbackText: opts.FeedbackText,
		AllowContact: opts.AllowContact,
		ContactEmail: opts.ContactEmail,
	}
	var out map[string]json.RawMessage
	if err := c.do(ctx, op, body, &out); err != nil {
		return CloseResult{}, err
	}
	var res CloseResult
	if raw, ok := out["alertsNotFound"]; ok {
		var notFound []string
		if err := json.Unmarshal(raw, &notFound); err != nil {
			return CloseResult{}, &AmbiguousError{Operation: op.name, Err: fmt.Errorf("alertsNotFound is not a list of ids: %s", truncate(string(raw), 100))}
		}
		for _, id := range notFound {
			res.NotFound = append(res.NotFound, strings.ToLower(id))
		}
	}
	countKey := strings.Replace(kind.endpoint(), "close", "closed", 1)
	if raw, ok := out[countKey]; ok {
		res.Closed = jsonInt(raw)
	} else {
		// The close succeeded; without a count, every id MDA did not miss was closed.
		res.Closed = len(ids) - len(res.NotFound)
	}
	return res, nil
}
