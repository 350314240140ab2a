import Link from "next/link";
import { UnknownInstanceId } from "@/components/instance/unknown-id";

export default function InstanceNotFound() {
  return (
    <div className="panel stack" role="alert">
      <h2 style={{ margin: 0 }}>No such instance</h2>
      <p>
        <UnknownInstanceId /> It may have been deleted, or it belonged to an earlier run of Isolab.
      </p>
      <p>
        <Link href="/">Back to the overview</Link>
      </p>
    </div>
  );
}
