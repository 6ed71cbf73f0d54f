package channel_test

import (
	"errors"
	"testing"

	"github.com/routedesk/routedesk/channel"
)

func TestCanReply(t *testing.T) {
	t.Parallel()
	none := channel.Consent{}
	marketing := channel.Consent{SMSMarketing: true}
	transactional := channel.Consent{SMSTransactional: true}
	both := channel.Consent{SMSMarketing: true, SMSTransactional: true}
	for _, tc := range []struct {
		kind    channel.Kind
		consent channel.Consent
		want    error
	}{
		{channel.WebChat, none, nil},
		{channel.Email, none, nil},
		{channel.SMS, none, channel.ErrNoConsent},
		{channel.SMS, marketing, nil},
		{channel.SMS, transactional, nil},
		{channel.SMS, both, nil},
		{channel.WebChat, both, nil},
		{0, both, channel.ErrInvalid},
		{4, none, channel.ErrInvalid},
	} {
		err := channel.CanReply(tc.kind, tc.consent)
		if tc.want == nil && err != nil || !errors.Is(err, tc.want) {
			t.Errorf("CanReply(%v, %+v) = %v, want %v", tc.kind, tc.consent, err, tc.want)
		}
	}
}
