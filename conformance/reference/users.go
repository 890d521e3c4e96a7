package reference

import (
	"crypto/subtle"
	"strings"
	"sync"
	"time"
)

// User is an account in the app's own system, signed in during partner sign-in.
type User struct {
	Email    string
	Password string
	ID       string
	Name     string
}

// DemoUsers can sign in to the reference partner flow unless Config.Users says otherwise.
var DemoUsers = []User{
	{Email: "demo@example.com", Password: "hsemu-demo", ID: "user-1", Name: "Demo User"},       //nolint:gosec // G101: a published demo password
	{Email: "second@example.com", Password: "hsemu-second", ID: "user-2", Name: "Second User"}, //nolint:gosec // G101: a published demo password
}

// authenticate finds the user with this email (case-insensitive) and password. Every user's
// password is compared, in constant time, so timing tells nothing.
func (s *Server) authenticate(email, password string) (User, bool) {
	var found User
	ok := false
	for _, u := range s.users {
		match := subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) == 1
		if match && strings.EqualFold(strings.TrimSpace(email), u.Email) && !ok {
			found, ok = u, true
		}
	}
	return found, ok
}

// userByID finds a user by ID.
func (s *Server) userByID(id string) (User, bool) {
	for _, u := range s.users {
		if u.ID == id {
			return u, true
		}
	}
	return User{}, false
}

// sessionCookie names the app's session cookie, set at sign-in.
const sessionCookie = "hsemu_ref_session"

// sessionTTL is how long a sign-in session lasts.
const sessionTTL = 12 * time.Hour

// sessionStore maps session IDs (the cookie's value) to signed-in users, up to a bound.
type sessionStore struct {
	mu   sync.Mutex
	max  int
	byID map[string]session
}

type session struct {
	userID  string
	expires time.Time
}

func newSessionStore(limit int) *sessionStore {
	return &sessionStore{max: limit, byID: make(map[string]session)}
}

func (st *sessionStore) put(id, userID string, now time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.byID) >= st.max {
		for k, v := range st.byID {
			if !now.Before(v.expires) {
				delete(st.byID, k)
			}
		}
		// Still full: forget a tenth of the sessions; their users sign in again.
		for k := range st.byID {
			if len(st.byID) < st.max-st.max/10 {
				break
			}
			delete(st.byID, k)
		}
	}
	st.byID[id] = session{userID: userID, expires: now.Add(sessionTTL)}
}

func (st *sessionStore) user(id string, now time.Time) (string, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	v, ok := st.byID[id]
	if !ok || !now.Before(v.expires) {
		return "", false
	}
	return v.userID, true
}
