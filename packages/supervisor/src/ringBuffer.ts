/** The last `capacity` items (output lines); memory does not grow with output volume. */
export class RingBuffer<T = string> {
  private readonly _items: T[];
  private _next = 0;
  private _size = 0;

  constructor(private readonly _capacity: number) {
    this._items = new Array<T>(_capacity);
  }

  push(item: T): void {
    this._items[this._next] = item;
    this._next = (this._next + 1) % this._capacity;
    if (this._size < this._capacity) this._size++;
  }

  /** The last `count` items (all by default), oldest first. */
  last(count = this._size): T[] {
    const n = Math.min(count, this._size);
    const out: T[] = [];
    for (let i = n; i > 0; i--) out.push(this._items[(this._next - i + this._capacity) % this._capacity]!);
    return out;
  }
}
