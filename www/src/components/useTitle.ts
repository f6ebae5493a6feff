// Sets the browser tab's title for the page on screen.
import { useEffect } from "react";

export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Leoflow Lite` : "Leoflow Lite";
  }, [title]);
}
