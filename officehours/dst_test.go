package officehours_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/routedesk/routedesk/officehours"
)

// TestDSTDays checks real daylight-saving days, and exceptions next to
// overnight spans, against intervals worked out by hand from the wall-clock
// rule.
func TestDSTDays(t *testing.T) {
	t.Parallel()
	sat, sun := time.Saturday, time.Sunday
	tests := []struct {
		name       string
		zone       string
		week       map[time.Weekday]string
		exceptions []officehours.Exception
		from, to   string
		want       []string
		open       time.Duration
	}{
		{
			name: "New York spring forward shortens a span over the gap",
			zone: "America/New_York", week: map[time.Weekday]string{sun: "01:30-03:30"},
			from: "2025-03-08T12:00:00-05:00", to: "2025-03-10T00:00:00-04:00",
			want: []string{"2025-03-09 01:30 -05:00 – 2025-03-09 03:30 -04:00"},
			open: time.Hour,
		},
		{
			name: "New York fall back opens a span twice",
			zone: "America/New_York", week: map[time.Weekday]string{sun: "00:30-01:30"},
			from: "2025-11-01T12:00:00-04:00", to: "2025-11-03T00:00:00-05:00",
			want: []string{
				"2025-11-02 00:30 -04:00 – 2025-11-02 01:30 -04:00",
				"2025-11-02 01:00 -05:00 – 2025-11-02 01:30 -05:00",
			},
			open: 90 * time.Minute,
		},
		{
			name: "New York span over the repeated hour is open through both passes",
			zone: "America/New_York", week: map[time.Weekday]string{sun: "01:00-02:00"},
			from: "2025-11-01T12:00:00-04:00", to: "2025-11-03T00:00:00-05:00",
			want: []string{"2025-11-02 01:00 -04:00 – 2025-11-02 02:00 -05:00"},
			open: 2 * time.Hour,
		},
		{
			name: "New York overnight span across spring forward",
			zone: "America/New_York", week: map[time.Weekday]string{sat: "22:00-06:00"},
			from: "2025-03-08T12:00:00-05:00", to: "2025-03-09T12:00:00-04:00",
			want: []string{"2025-03-08 22:00 -05:00 – 2025-03-09 06:00 -04:00"},
			open: 7 * time.Hour,
		},
		{
			name: "New York overnight span across fall back",
			zone: "America/New_York", week: map[time.Weekday]string{sat: "22:00-06:00"},
			from: "2025-11-01T12:00:00-04:00", to: "2025-11-02T12:00:00-05:00",
			want: []string{"2025-11-01 22:00 -04:00 – 2025-11-02 06:00 -05:00"},
			open: 9 * time.Hour,
		},
		{
			name: "London spring forward: 01:00-01:30 does not exist",
			zone: "Europe/London", week: map[time.Weekday]string{sun: "00:30-01:30"},
			from: "2025-03-29T12:00:00Z", to: "2025-03-31T00:00:00+01:00",
			want: []string{"2025-03-30 00:30 +00:00 – 2025-03-30 02:00 +01:00"},
			open: 30 * time.Minute,
		},
		{
			name: "London fall back opens a span twice",
			zone: "Europe/London", week: map[time.Weekday]string{sun: "01:15-01:45"},
			from: "2025-10-25T12:00:00+01:00", to: "2025-10-27T00:00:00Z",
			want: []string{
				"2025-10-26 01:15 +01:00 – 2025-10-26 01:45 +01:00",
				"2025-10-26 01:15 +00:00 – 2025-10-26 01:45 +00:00",
			},
			open: time.Hour,
		},
		{
			name: "Lord Howe half-hour spring forward",
			zone: "Australia/Lord_Howe", week: map[time.Weekday]string{sun: "02:00-03:00"},
			from: "2025-10-04T12:00:00+10:30", to: "2025-10-06T00:00:00+11:00",
			want: []string{"2025-10-05 02:30 +11:00 – 2025-10-05 03:00 +11:00"},
			open: 30 * time.Minute,
		},
		{
			name: "Lord Howe half-hour fall back",
			zone: "Australia/Lord_Howe", week: map[time.Weekday]string{sun: "01:30-02:00"},
			from: "2025-04-05T12:00:00+11:00", to: "2025-04-07T00:00:00+10:30",
			want: []string{"2025-04-06 01:30 +11:00 – 2025-04-06 02:00 +10:30"},
			open: time.Hour,
		},
		{
			name: "Lord Howe overnight span across fall back",
			zone: "Australia/Lord_Howe", week: map[time.Weekday]string{sat: "23:00-01:45"},
			from: "2025-04-05T12:00:00+11:00", to: "2025-04-06T12:00:00+10:30",
			want: []string{
				"2025-04-05 23:00 +11:00 – 2025-04-06 01:45 +11:00",
				"2025-04-06 01:30 +10:30 – 2025-04-06 01:45 +10:30",
			},
			open: 3 * time.Hour,
		},
		{
			name: "Santiago falls back at midnight: the last hour of Saturday twice",
			zone: "America/Santiago", week: map[time.Weekday]string{sat: "22:00-24:00"},
			from: "2025-04-05T12:00:00-03:00", to: "2025-04-06T12:00:00-04:00",
			want: []string{"2025-04-05 22:00 -03:00 – 2025-04-06 00:00 -04:00"},
			open: 3 * time.Hour,
		},
		{
			name: "Santiago springs forward at midnight under an overnight span",
			zone: "America/Santiago", week: map[time.Weekday]string{sat: "22:00-02:00"},
			from: "2025-09-06T12:00:00-04:00", to: "2025-09-07T12:00:00-03:00",
			want: []string{"2025-09-06 22:00 -04:00 – 2025-09-07 02:00 -03:00"},
			open: 3 * time.Hour,
		},
		{
			name: "Santiago: a span inside the gap is never open that day",
			zone: "America/Santiago", week: map[time.Weekday]string{sun: "00:00-01:00"},
			from: "2025-09-06T12:00:00-04:00", to: "2025-09-15T00:00:00-03:00",
			want: []string{"2025-09-14 00:00 -03:00 – 2025-09-14 01:00 -03:00"},
			open: time.Hour,
		},
		{
			name: "Kathmandu moves to +05:45: 00:00-00:15 does not exist",
			zone: "Asia/Kathmandu", week: map[time.Weekday]string{time.Wednesday: "00:00-00:30"},
			from: "1985-12-31T12:00:00+05:30", to: "1986-01-02T00:00:00+05:45",
			want: []string{"1986-01-01 00:15 +05:45 – 1986-01-01 00:30 +05:45"},
			open: 15 * time.Minute,
		},
		{
			name: "Kathmandu plain day at +05:45",
			zone: "Asia/Kathmandu", week: map[time.Weekday]string{time.Monday: "09:00-17:00"},
			from: "2025-06-02T00:00:00+05:45", to: "2025-06-03T00:00:00+05:45",
			want: []string{"2025-06-02 09:00 +05:45 – 2025-06-02 17:00 +05:45"},
			open: 8 * time.Hour,
		},
		{
			name: "Chatham springs forward at 02:45",
			zone: "Pacific/Chatham", week: map[time.Weekday]string{sun: "02:00-04:00"},
			from: "2025-09-27T12:00:00+12:45", to: "2025-09-29T00:00:00+13:45",
			want: []string{"2025-09-28 02:00 +12:45 – 2025-09-28 04:00 +13:45"},
			open: time.Hour,
		},
		{
			name: "Chatham falls back at 03:45",
			zone: "Pacific/Chatham", week: map[time.Weekday]string{sun: "03:00-03:30"},
			from: "2025-04-05T12:00:00+13:45", to: "2025-04-07T00:00:00+12:45",
			want: []string{
				"2025-04-06 03:00 +13:45 – 2025-04-06 03:30 +13:45",
				"2025-04-06 03:00 +12:45 – 2025-04-06 03:30 +12:45",
			},
			open: time.Hour,
		},
		{
			name: "an overnight span runs into a holiday",
			zone: "America/New_York", week: map[time.Weekday]string{time.Wednesday: "22:00-02:00", time.Thursday: "22:00-02:00"},
			exceptions: []officehours.Exception{{Date: officehours.Date{Month: time.December, Day: 25}}},
			from:       "2025-12-24T12:00:00-05:00", to: "2025-12-27T00:00:00-05:00",
			want: []string{"2025-12-24 22:00 -05:00 – 2025-12-25 02:00 -05:00"},
			open: 4 * time.Hour,
		},
		{
			name: "a holiday that cuts the overnight span at midnight",
			zone: "America/New_York", week: map[time.Weekday]string{time.Wednesday: "22:00-02:00", time.Thursday: "22:00-02:00"},
			exceptions: []officehours.Exception{{Date: officehours.Date{Month: time.December, Day: 25}, CutOvernight: true}},
			from:       "2025-12-24T12:00:00-05:00", to: "2025-12-27T00:00:00-05:00",
			want: []string{"2025-12-24 22:00 -05:00 – 2025-12-25 00:00 -05:00"},
			open: 2 * time.Hour,
		},
		{
			name: "a one-off date beats a yearly one, and its spans follow the overnight span",
			zone: "America/New_York", week: map[time.Weekday]string{time.Wednesday: "22:00-02:00", time.Thursday: "22:00-02:00"},
			exceptions: []officehours.Exception{
				{Date: officehours.Date{Month: time.December, Day: 25}},
				{Date: officehours.Date{Year: 2025, Month: time.December, Day: 25}, Spans: spans(t, "10:00-14:00")},
			},
			from: "2025-12-24T12:00:00-05:00", to: "2025-12-27T00:00:00-05:00",
			want: []string{
				"2025-12-24 22:00 -05:00 – 2025-12-25 02:00 -05:00",
				"2025-12-25 10:00 -05:00 – 2025-12-25 14:00 -05:00",
			},
			open: 8 * time.Hour,
		},
		{
			name: "an exception's own overnight span runs into the next day",
			zone: "Europe/London",
			exceptions: []officehours.Exception{
				{Date: officehours.Date{Year: 2025, Month: time.December, Day: 31}, Spans: spans(t, "20:00-01:00")},
				{Date: officehours.Date{Month: time.January, Day: 1}},
			},
			from: "2025-12-30T00:00:00Z", to: "2026-01-03T00:00:00Z",
			want: []string{"2025-12-31 20:00 +00:00 – 2026-01-01 01:00 +00:00"},
			open: 5 * time.Hour,
		},
		{
			name: "spans that touch across midnight make one interval",
			zone: "America/New_York", week: map[time.Weekday]string{time.Friday: "22:00-24:00", sat: "00:00-02:00,09:00-10:00"},
			from: "2025-03-07T12:00:00-05:00", to: "2025-03-09T00:00:00-05:00",
			want: []string{
				"2025-03-07 22:00 -05:00 – 2025-03-08 02:00 -05:00",
				"2025-03-08 09:00 -05:00 – 2025-03-08 10:00 -05:00",
			},
			open: 5 * time.Hour,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := officehours.New(load(t, tt.zone), week(t, tt.week), tt.exceptions...)
			if err != nil {
				t.Fatal(err)
			}
			from, to := instant(t, tt.from), instant(t, tt.to)
			if diff := cmp.Diff(tt.want, intervals(t, s, from, to)); diff != "" {
				t.Errorf("open intervals (-want +got)\n%s", diff)
			}
			if got := s.OpenBetween(from, to); got != tt.open {
				t.Errorf("OpenBetween = %v, want %v", got, tt.open)
			}
			if got := officehours.OpenBetweenUncached(s, from, to); got != tt.open {
				t.Errorf("OpenBetween without the cache = %v, want %v", got, tt.open)
			}
		})
	}
}
