import { PageHeader } from '../../components/PageHeader.tsx';

export default function RegistriesPage() {
  return <PageHeader title="RegistriesPage" description="Not built yet" />;
}
