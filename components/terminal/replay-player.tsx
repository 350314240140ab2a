"use client";
import "@xterm/xterm/css/xterm.css";
import { useEffect, useRef, useState } from "react";
import { parseAsciicast, replaySchedule } from "@/lib/terminal/asciicast";

// Plays an asciicast v2 recording into a read-only xterm with its recorded
// timing (gaps over a second shortened to one).

const MAX_GAP_S = 1;

export function ReplayPlayer({ url, onClose }: { url: string; onClose: () => void }) {
  const box = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<string>("Loading the recording…");

  useEffect(() => {
    let stopped = false;
    const timers: ReturnType<typeof setTimeout>[] = [];
    let dispose = () => {};
    void (async () => {
      try {
        const [res, { Terminal }] = await Promise.all([fetch(url, { cache: "no-store" }), import("@xterm/xterm")]);
        if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
        const cast = parseAsciicast(await res.text());
        if (stopped || !box.current) return;
        const t = new Terminal({ rows: cast.header.height, cols: cast.header.width, disableStdin: true, scrollback: 5000, fontSize: 12 });
        t.open(box.current);
        dispose = () => t.dispose();
        const at = replaySchedule(cast.events, MAX_GAP_S);
        setState(`Playing ${cast.events.length} events…`);
        cast.events.forEach(([, type, data], i) => {
          timers.push(
            setTimeout(() => {
              if (type === "o") t.write(data);
              else if (type === "r") {
                const [cols, rows] = data.split("x").map(Number);
                if (cols && rows) t.resize(cols, rows);
              }
              if (i === cast.events.length - 1) setState("Replay finished.");
            }, at[i]! * 1000),
          );
        });
        if (cast.events.length === 0) setState("The recording is empty.");
      } catch (err) {
        setState(`Cannot replay: ${(err as Error).message}`);
      }
    })();
    return () => {
      stopped = true;
      timers.forEach(clearTimeout);
      dispose();
    };
  }, [url]);

  return (
    <div className="stack" data-testid="replay">
      <div className="row small" style={{ justifyContent: "space-between" }}>
        <span role="status">{state}</span>
        <button type="button" onClick={onClose}>
          Close replay
        </button>
      </div>
      <div ref={box} className="terminal-screen" style={{ overflow: "auto" }} />
    </div>
  );
}
