/**
 * A FIFO queue with O(1) amortised push and shift (an array with a moving head, compacted when
 * the dead prefix grows past half). `Array.prototype.shift` is O(n) on large arrays.
 */
export class Queue<T> {
  #items: T[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head] as T;
    this.#items[this.#head] = undefined as T;
    this.#head++;
    if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** The item at `index` from the front. */
  at(index: number): T | undefined {
    return index < 0 || index >= this.length ? undefined : this.#items[this.#head + index];
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}
