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

func writeJSON(w http.ResponseWriter, status int, body interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"error": message})
}

// HandleUsers serves GET /users, GET /users/{id}, POST /users and PATCH /users/{id}.
func HandleUsers(w http.ResponseWriter, r *http.Request, store UserStore, actor *User) {
	idPart := strings.TrimPrefix(r.URL.Path, "/users")
	idPart = strings.Trim(idPart, "/")
	if r.Method == http.MethodGet {
		if idPart == "" {
			offset, err := strconv.Atoi(r.URL.Query().Get("offset"))
			if err != nil {
				offset = 0
			}
			limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
			if err != nil || limit <= 0 || limit > 200 {
				limit = 50
			}
			users, err := store.List(offset, limit, r.URL.Query().Get("role"))
			if err != nil {
				writeError(w, http.StatusInternalServerError, err.Error())
				return
			}
			writeJSON(w, http.StatusOK, users)
		} else {
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
	} else if r.Method == http.MethodPost || r.Method == http.MethodPatch {
		if actor == nil || actor.Role != "admin" {
			writeError(w, http.StatusForbidden, "admins​ only")
			return
		}
		var in User
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			writeError(w, http.StatusBadRequest, "invalid JSON")
			return
		}
		var u *User
		if r.Method == http.MethodPost {
			if !emailPattern.MatchString(in.Email) {
				writeError(w, http.StatusBadRequest, "invalid email")
				return
			}
			existing, err := store.FindByEmail(in.Email)
			if err == nil && existing != nil {
				writeError(w, http.StatusConflict, "email already registered")
				return
			}
			u = &User{Email: in.Email, Name: in.Name, Role: "viewer", CreatedAt: time.Now().UTC()}
			if in.Role == "editor" || in.Role == "admin" || in.Role == "viewer" {
				u.Role = in.Role
			}
		} else {
			id, err := strconv.Atoi(idPart)
			if err != nil {
				writeError(w, http.StatusBadRequest, "bad user id")
				return
			}
			u, err = store.Get(id)
			if err != nil || u == nil {
				writeError(w, http.StatusNotFound, "no such user")
				return
			}
			if in.Name != "" {
				u.Name = in.Name
			}
			if in.Role == "editor" || in.Role == "admin" || in.Role == "viewer" {
				if u.ID == actor.ID && in.Role != "admin" {
					writeError(w, http.StatusBadRequest, "cannot demote yourself")
					return
				}
				u.Role = in.Role
			}
			u.Disabled = in.Disabled
		}
		if err := store.Save(u); err != nil {
			writeError(w, http.StatusInternalServerError, err.Error())
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusCreated)
		} else {
			w.WriteHeader(http.StatusOK)
		}
		json.NewEncoder(w).Encode(u)
	} else {
		w.Header().Set("Allow", "GET, POST, PATCH")
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}
