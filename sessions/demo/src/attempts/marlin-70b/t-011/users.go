// Package api serves the user-management endpoints of the admin console.
package api

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

type User struct {
	ID        int       `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

type UserStore interface {
	Get(id int) (*User, error)
	FindByEmail(email string) (*User, error)
	Save(u *User) error
	List(offset, limit int, role string) ([]User, error)
}

var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

var validRoles = map[string]bool{"viewer": true, "editor": true, "admin": true}

const (
	defaultPageSize = 50
	maxPageSize     = 200
)

func writeJSON(w http.ResponseWriter, status int, body interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"error": message})
}

// queryInt reads an integer query parameter, falling back when it is missing or fails the check.
func queryInt(r *http.Request, name string, fallback int, ok func(int) bool) int {
	n, err := strconv.Atoi(r.URL.Query().Get(name))
	if err != nil || !ok(n) {
		return fallback
	}
	return n
}

func listUsers(w http.ResponseWriter, r *http.Request, store UserStore) {
	offset := queryInt(r, "offset", 0, func(int) bool { return true })
	limit := queryInt(r, "limit", defaultPageSize, func(n int) bool { return n > 0 && n <= maxPageSize })
	users, err := store.List(offset, limit, r.URL.Query().Get("role"))
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, users)
}

func getUser(w http.ResponseWriter, idPart string, store UserStore) {
	id, err := strconv.Atoi(idPart)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad user id")
		return
	}
	u, err := store.Get(id)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	if u == nil {
		writeError(w, http.StatusNotFound, "no such user")
		return
	}
	writeJSON(w, http.StatusOK, u)
}

// newUser builds the user a POST asks for; it returns the status and message of the first problem, if any.
func newUser(in User, store UserStore) (*User, int, string) {
	if !emailPattern.MatchString(in.Email) {
		return nil, http.StatusBadRequest, "invalid email"
	}
	if existing, err := store.FindByEmail(in.Email); err == nil && existing != nil {
		return nil, http.StatusConflict, "email already registered"
	}
	u := &User{Email: in.Email, Name: in.Name, Role: "viewer", CreatedAt: time.Now().UTC()}
	if validRoles[in.Role] {
		u.Role = in.Role
	}
	return u, 0, ""
}

// updatedUser applies a PATCH to the stored user; it returns the status and message of the first problem, if any.
func updatedUser(in User, idPart string, store UserStore, actor *User) (*User, int, string) {
	id, err := strconv.Atoi(idPart)
	if err != nil {
		return nil, http.StatusBadRequest, "bad user id"
	}
	u, err := store.Get(id)
	if err != nil || u == nil {
		return nil, http.StatusNotFound, "no such user"
	}
	if in.Name != "" {
		u.Name = in.Name
	}
	if validRoles[in.Role] {
		if u.ID == actor.ID && in.Role != "admin" {
			return nil, http.StatusBadRequest, "cannot demote yourself"
		}
		u.Role = in.Role
	}
	u.Disabled = in.Disabled
	return u, 0, ""
}

func saveUser(w http.ResponseWriter, r *http.Request, idPart string, store UserStore, actor *User) {
	if actor == nil || actor.Role != "admin" {
		writeError(w, http.StatusForbidden, "admins only")
		return
	}
	var in User
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "invalid JSON")
		return
	}
	var user *User
	var status int
	var problem string
	if r.Method == http.MethodPost {
		user, status, problem = newUser(in, store)
	} else {
		user, status, problem = updatedUser(in, idPart, store, actor)
	}
	if problem != "" {
		writeError(w, status, problem)
		return
	}
	if err := store.Save(user); err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	if r.Method == http.MethodPost {
		writeJSON(w, http.StatusCreated, user)
		return
	}
	writeJSON(w, http.StatusOK, user)
}

// HandleUsers serves GET /users, GET /users/{id}, POST /users and PATCH /users/{id}.
func HandleUsers(w http.ResponseWriter, r *http.Request, store UserStore, actor *User) {
	idPart := strings.Trim(strings.TrimPrefix(r.URL.Path, "/users"), "/")
	switch {
	case r.Method == http.MethodGet && idPart == "":
		listUsers(w, r, store)
	case r.Method == http.MethodGet:
		getUser(w, idPart, store)
	case r.Method == http.MethodPost || r.Method == http.MethodPatch:
		saveUser(w, r, idPart, store, actor)
	default:
		w.Header().Set("Allow", "GET, POST, PATCH")
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}
