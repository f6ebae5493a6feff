// What an unknown UI path shows.
import { Link } from "react-router-dom";

export function NotFoundPage() {
  return (
    <div className="card">
      <h1>Page not found</h1>
      <p>
        Nothing lives at this address. Go <Link to="/">home</Link> or to the <Link to="/dags">list of Dags</Link>.
      </p>
    </div>
  );
}
