import React, { useEffect, useMemo, useState } from "react";

export interface User {
  id: number;
  name: string;
  email: string;
  active: boolean;
}

type SortKey = "name" | "email";

interface UserListProps {
  fetchUsers: () => Promise<User[]>;
  pageSize?: number;
  onSelect?: (user: User) => void;
}

function compareBy(key: SortKey) {
  return (a: User, b: User): number => a[key].localeCompare(b[key]);
}

export function useUsers(fetchUsers: () => Promise<User[]>) {
  const [users, setUsers] = useState<User[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    let cancelled = false;
    fetchUsers()
      .then((loaded) => {
        if (!cancelled) {
          setUsers(loaded);
        }
      })
      .catch((reason: unknown) => {
        if (!cancelled) {
          setError(String(reason));
        }
      })
      .finally(() => {
        if (!cancelled) {
          setLoading(false);
        }
      });
    return () => {
      cancelled = true;
    };
  }, [fetchUsers]);

  return { users, error, loading };
}

const Badge = ({ active }: { active: boolean }) => (
  <span className={active ? "badge badge-active" : "badge"}>{active ? "active" : "inactive"}</span>
);

export default function UserList({ fetchUsers, pageSize = 10, onSelect }: UserListProps) {
  const { users, error, loading } = useUsers(fetchUsers);
  const [query, setQuery] = useState("");
  const [sortKey, setSortKey] = useState<SortKey>("name");
  const [page, setPage] = useState(0);

  const visible = useMemo(() => {
    const needle = query.trim().toLowerCase();
    return users
      .filter((user) => !needle || user.name.toLowerCase().includes(needle) || user.email.includes(needle))
      .sort(compareBy(sortKey));
  }, [users, query, sortKey]);

  const pages = Math.max(1, Math.ceil(visible.length / pageSize));
  const shown = visible.slice(page * pageSize, (page + 1) * pageSize);

  if (loading) {
    return <p>Loading…</p>;
  }
  if (error) {
    return <p role="alert">Could not load users: {error}</p>;
  }
  return (
    <div className="user-list">
      <input value={query} placeholder="Search" onChange={(event) => setQuery(event.target.value)} />
      <select value={sortKey} onChange={(event) => setSortKey(event.target.value as SortKey)}>
        <option value="name">Name</option>
        <option value="email">Email</option>
      </select>
      <ul>
        {shown.map((user) => (
          <li key={user.id} onClick={() => onSelect?.(user)}>
            {user.name} &lt;{user.email}&gt; <Badge active={user.active} />
          </li>
        ))}
      </ul>
      <button disabled={page === 0} onClick={() => setPage(page - 1)}>
        Previous
      </button>
      <span>
        {page + 1} / {pages}
      </span>
      <button disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>
        Next
      </button>
    </div>
  );
}
