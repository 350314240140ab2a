import { RequireRole } from "@/components/auth/require-role";
import { ImageList } from "@/components/images/image-list";
import { ImportForm } from "@/components/images/import-form";

export const dynamic = "force-dynamic";

export default function ImagesPage() {
  return (
    <div className="stack">
      <h2 style={{ margin: 0, fontSize: "1.1rem" }}>Images</h2>
      <RequireRole role="operator" note="Importing an image">
        <ImportForm />
      </RequireRole>
      <ImageList />
    </div>
  );
}
