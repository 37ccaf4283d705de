/** The last `capacity` lines; memory does not grow with output volume. */
export class RingBuffer {
  private readonly _items: string[];
  private _next = 0;
  private _size = 0;

  constructor(private readonly _capacity: number) {
    this._items = new Array<string>(_capacity);
  }

  push(line: string): void {
    this._items[this._next] = line;
    this._next = (this._next + 1) % this._capacity;
    if (this._size < this._capacity) this._size++;
  }

  /** The last `count` lines (all by default), oldest first. */
  last(count = this._size): string[] {
    const n = Math.min(count, this._size);
    const out: string[] = [];
    for (let i = n; i > 0; i--) out.push(this._items[(this._next - i + this._capacity) % this._capacity]!);
    return out;
  }
}
