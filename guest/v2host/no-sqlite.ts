// better-sqlite3 is a native module the nested cgroup v2 guest does not carry:
// the bundled doctor links the app's wiring point (server/app/create-app.ts),
// which imports the database module, but the container engine and the doctor
// never open a database. Opening one there fails loudly instead.
export default class NoDatabaseInTheNestedHost {
  constructor() {
    throw new Error("the nested cgroup v2 host has no better-sqlite3: nothing run there may open a database");
  }
}
