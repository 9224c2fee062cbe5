import { PageHeader } from '../../components/PageHeader.tsx';

export default function HomePage() {
  return <PageHeader title="HomePage" description="Not built yet" />;
}
