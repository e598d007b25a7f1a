export default function CheckPage() {
  return <h1>Check</h1>;
}
