package status_test

import (
	"errors"
	"fmt"

	"github.com/routedesk/routedesk/status"
)

func Example() {
	s := status.Open
	s, _ = status.Next(s, status.Snooze)
	fmt.Println(s)
	s, _ = status.Next(s, status.Wake) // the customer wrote
	fmt.Println(s)
	s, _ = status.Next(s, status.Close)
	fmt.Println(s)

	_, err := status.Next(s, status.Snooze)
	fmt.Println(errors.Is(err, status.ErrInvalidTransition))
	fmt.Println(err)
	// Output:
	// snoozed
	// open
	// closed
	// true
	// status: cannot snooze a ticket that is closed (closed → snoozed is not allowed)
}
