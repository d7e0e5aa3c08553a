/** Processes a teacher can start with one click: what they map and write. */
export interface Template {
  id: string;
  label: string;
  pages: number;
  /** The 32-bit word to fill page i with, or null to leave it untouched. */
  value: (pid: number, page: number) => number | null;
}

export const TEMPLATES: Template[] = [
  {
    id: "guest",
    label: "VM guest: 16 pages (8 kernel text, 4 zeroed, 4 unique)",
    pages: 16,
    value: (pid, page) => (page < 8 ? 0x6c6e_726b + page : page < 12 ? 0 : ((pid << 16) | page) >>> 0),
  },
  {
    id: "worker",
    label: "Web worker: 8 pages (6 shared library, 2 unique)",
    pages: 8,
    value: (pid, page) => (page < 6 ? 0x2e73_6f00 + (page % 3) : ((pid << 16) | (0x8000 + page)) >>> 0),
  },
  {
    id: "twins",
    label: "Twins: 4 pages all alike",
    pages: 4,
    value: () => 0x0707_0707,
  },
  { id: "empty", label: "Empty: 4 pages, never touched", pages: 4, value: () => null },
];
