package officehours_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/routedesk/routedesk/officehours"
)

func Example() {
	ny, _ := time.LoadLocation("America/New_York")
	nineToFive := []officehours.Span{{Start: officehours.At(9, 0), End: officehours.At(17, 0)}}
	s, err := officehours.New(ny,
		officehours.Week{
			time.Monday: nineToFive, time.Tuesday: nineToFive, time.Wednesday: nineToFive,
			time.Thursday: nineToFive, time.Friday: nineToFive,
		},
		officehours.Exception{Date: officehours.Date{Month: time.December, Day: 25}}, // every year
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	friday := time.Date(2025, time.December, 19, 18, 30, 0, 0, ny)
	fmt.Println(s.IsOpen(friday))
	next, _ := s.NextOpen(friday)
	fmt.Println(next)
	closes, _ := s.NextClose(next)
	fmt.Println(closes)
	// Christmas Day is a Thursday in 2025.
	fmt.Println(s.OpenBetween(time.Date(2025, time.December, 22, 0, 0, 0, 0, ny), time.Date(2025, time.December, 29, 0, 0, 0, 0, ny)))
	// Output:
	// false
	// 2025-12-22 09:00:00 -0500 EST
	// 2025-12-22 17:00:00 -0500 EST
	// 32h0m0s
}

// The wall-clock rule on the two daylight-saving days of 2025 in New York:
// a span over the skipped hour is shorter, and a span over the repeated hour
// is open through both passes.
func Example_daylightSaving() {
	ny, _ := time.LoadLocation("America/New_York")
	span := []officehours.Span{{Start: officehours.At(1, 30), End: officehours.At(3, 30)}}
	s, _ := officehours.New(ny, officehours.Week{time.Sunday: span})

	day := func(y int, m time.Month, d int) (time.Time, time.Time) {
		return time.Date(y, m, d, 0, 0, 0, 0, ny), time.Date(y, m, d+1, 0, 0, 0, 0, ny)
	}
	fmt.Println(s.OpenBetween(day(2025, time.March, 9)))
	fmt.Println(s.OpenBetween(day(2025, time.November, 2)))
	fmt.Println(s.OpenBetween(day(2025, time.November, 9)))
	// Output:
	// 1h0m0s
	// 2h30m0s
	// 2h0m0s
}

// Overnight spans run into the next day, and into a holiday unless the
// holiday cuts them at midnight.
func Example_overnight() {
	london, _ := time.LoadLocation("Europe/London")
	lateShift := []officehours.Span{{Start: officehours.At(22, 0), End: officehours.At(2, 0)}}
	s, _ := officehours.New(london,
		officehours.Week{time.Wednesday: lateShift},
		officehours.Exception{Date: officehours.Date{Year: 2025, Month: time.December, Day: 25}, CutOvernight: true},
	)
	for _, q := range []time.Time{
		time.Date(2025, time.December, 18, 1, 0, 0, 0, london), // Thursday 01:00 after a Wednesday shift
		time.Date(2025, time.December, 25, 1, 0, 0, 0, london), // Christmas Day cuts the shift at midnight
	} {
		closes, _ := s.NextClose(q)
		fmt.Println(q.Format("Mon 02 Jan 15:04"), s.IsOpen(q), closes.Format("Mon 02 Jan 15:04"))
	}
	// Output:
	// Thu 18 Dec 01:00 true Thu 18 Dec 02:00
	// Thu 25 Dec 01:00 false Thu 25 Dec 01:00
}

func ExampleSchedule_UnmarshalJSON() {
	var s officehours.Schedule
	err := json.Unmarshal([]byte(`{
		"zone": "Asia/Kathmandu",
		"weekly": {"sunday": [{"start": "10:00", "end": "18:00"}]},
		"exceptions": [{"date": "2025-10-21", "spans": [{"start": "10:00", "end": "13:00"}]}]
	}`), &s)
	if err != nil {
		fmt.Println(err)
		return
	}
	next, _ := s.NextOpen(time.Date(2025, time.October, 20, 0, 0, 0, 0, time.UTC))
	fmt.Println(next)

	err = json.Unmarshal([]byte(`{"zone": "Asia/Kathmandu", "weekly": {"sunday": [{"start": "10:00", "end": "25:00"}]}}`), &s)
	fmt.Println(errors.Is(err, officehours.ErrTimeOfDay))
	fmt.Println(err)
	// Output:
	// 2025-10-21 10:00:00 +0545 +0545
	// true
	// officehours: invalid time of day: weekly.sunday[0].end: "25:00" is not HH:MM from 00:00 to 24:00
}

func ExampleSchedule_MarshalJSON() {
	s, _ := officehours.New(time.UTC,
		officehours.Week{time.Friday: {{Start: officehours.At(22, 0), End: officehours.At(2, 0)}}},
		officehours.Exception{Date: officehours.Date{Month: time.January, Day: 1}, CutOvernight: true},
	)
	b, _ := json.Marshal(s)
	fmt.Println(string(b))
	// Output:
	// {"zone":"UTC","weekly":{"friday":[{"start":"22:00","end":"02:00"}]},"exceptions":[{"date":"01-01","cut_overnight":true}]}
}

func ExampleAlwaysOpen() {
	s, _ := officehours.AlwaysOpen(time.UTC)
	_, closes := s.NextClose(time.Date(2025, time.June, 1, 0, 0, 0, 0, time.UTC))
	fmt.Println(closes)
	// Output:
	// false
}
